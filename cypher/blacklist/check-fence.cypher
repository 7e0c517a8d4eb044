// Takes a write lock on the blacklist state and returns the fence token in force; the caller's
// transaction goes on only when it holds that token (see claim-fence).
// Params: none. Returns: token.
MERGE (s:BlacklistState {id: 'current'})
SET s.fence = coalesce(s.fence, 0)
RETURN s.fence AS token
