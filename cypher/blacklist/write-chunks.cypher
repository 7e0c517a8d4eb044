// Pre-rendered body chunks of a version (JSON and CSV), served as a stream in seq order.
// Params: $version: int, $rows [{format, seq: int, data}]. Returns: nothing.
UNWIND $rows AS row
CREATE (c:BlacklistChunk {version: $version, format: row.format, seq: row.seq, data: row.data})
