// Fencing for blacklist publication: the holder of the publication lock takes the next token here
// right after acquiring the lock; every later write of its publication checks it (check-fence), so a
// holder whose lease lapsed (a stall) can no longer write once another holder claimed a token.
// Params: none. Returns: token.
MERGE (s:BlacklistState {id: 'current'})
SET s.fence = coalesce(s.fence, 0) + 1
RETURN s.fence AS token
