// One batch of clusters of a run, as parallel lists (cluster k is element k of each).
// Params: $runId, $clusterId [string], $size [number], $type [string], $score [float], $reasons [[string]],
//   $notes [[string]], $evidence [string (JSON)], $members [[string]], $isNew [bool], $createdRunSeq [int]
//   — all of one length. Returns: nothing.
UNWIND range(0, size($clusterId) - 1) AS k
CREATE (:ClusterResult {runId: $runId, clusterId: $clusterId[k], size: $size[k], type: $type[k], score: $score[k],
                        reasons: $reasons[k], notes: $notes[k], evidence: $evidence[k], members: $members[k],
                        isNew: $isNew[k], createdRunSeq: $createdRunSeq[k]})
