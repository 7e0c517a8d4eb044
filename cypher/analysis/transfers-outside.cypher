// How the load reads a window (src/runs/load.ts): the stored transfers outside the window, counted
// through the TRANSFER(at) range index, each side capped at $cap (the count only has to tell
// whether at least $cap of them lie outside; the cost is at most 2 × $cap index entries).
// Params: $from: int, $to: int (inclusive), $cap: int. Returns: outside (capped per side).
CALL () {
  MATCH ()-[t:TRANSFER]->()
  USING INDEX t:TRANSFER(at)
  WHERE t.at < $from
  WITH t LIMIT $cap
  RETURN count(t) AS before
}
CALL () {
  MATCH ()-[t:TRANSFER]->()
  USING INDEX t:TRANSFER(at)
  WHERE t.at > $to
  WITH t LIMIT $cap
  RETURN count(t) AS after
}
RETURN before + after AS outside
