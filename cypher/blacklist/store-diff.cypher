// Stores a diff between two versions; added and removed as JSON, or only the counts when the diff
// is too large to keep (complete false: a reader computes it again from the versions' entries).
// Params: $key, $fromVersion: int, $toVersion: int, $added (JSON|null), $removed (JSON|null),
//         $addedCount: int, $removedCount: int, $complete: bool, $createdAt: int. Returns: nothing.
MERGE (d:BlacklistDiff {key: $key})
  ON CREATE SET d.fromVersion = $fromVersion, d.toVersion = $toVersion, d.added = $added, d.removed = $removed,
                d.addedCount = $addedCount, d.removedCount = $removedCount, d.complete = $complete, d.createdAt = $createdAt
