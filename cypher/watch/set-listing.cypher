// Whether a provisional successor is an input of the list, and why not when it is not. Only while
// nobody decided it: an investigator's confirm or reject landing meanwhile stands.
// Params: $key, $listed: boolean, $heldBecause: string|null, $autoListedAt: int|null.
// Returns: key (no row when the successor was decided or is no longer provisional).
MATCH (s:Successor {key: $key})
WHERE s.status = 'provisional' AND s.decision IS NULL
SET s.listed = $listed, s.heldBecause = $heldBecause,
    s.autoListedAt = coalesce($autoListedAt, s.autoListedAt)
RETURN s.key AS key
