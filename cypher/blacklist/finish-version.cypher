// Seals a version: body hashes and sizes computed while rendering; status 'ready' (not served yet).
// Params: $version: int, $sha256Json, $sha256Csv, $bytesJson: int, $bytesCsv: int, $added: int, $removed: int,
//         $diffFrom: int|null. Returns: nothing.
MATCH (v:BlacklistVersion {version: $version})
SET v.status = 'ready', v.sha256Json = $sha256Json, v.sha256Csv = $sha256Csv, v.bytesJson = $bytesJson,
    v.bytesCsv = $bytesCsv, v.added = $added, v.removed = $removed, v.diffFrom = $diffFrom
