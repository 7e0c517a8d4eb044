// Whether a provisional successor is an input of the list, and why not when it is not.
// Params: $key, $listed: boolean, $heldBecause: string|null, $autoListedAt: int|null.
// Returns: key.
MATCH (s:Successor {key: $key})
SET s.listed = $listed, s.heldBecause = $heldBecause,
    s.autoListedAt = coalesce($autoListedAt, s.autoListedAt)
RETURN s.key AS key
