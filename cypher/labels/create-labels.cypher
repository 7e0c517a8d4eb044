// Appends label events in the given order. Each gets the next number of one label sequence
// (LabelState.seq), so of two labels with the same createdAt (lines of one file) the later one
// is in force. The caller has already left out labels identical to the one in force.
// Params: $labels [{id, accountId, label, note, source, createdBy, createdAt: int}].
// Returns: one row per created label: id, accountId, label, note, source, createdBy, createdAt.
MERGE (s:LabelState {id: 'current'})
SET s.seq = coalesce(s.seq, 0) + size($labels)
WITH s.seq - size($labels) AS base
UNWIND range(0, size($labels) - 1) AS i
WITH base + i + 1 AS seq, $labels[i] AS x
CREATE (l:Label {id: x.id, accountId: x.accountId, label: x.label, note: x.note, source: x.source,
                 createdBy: x.createdBy, createdAt: x.createdAt, seq: seq})
RETURN l.id AS id, l.accountId AS accountId, l.label AS label, l.note AS note, l.source AS source,
       l.createdBy AS createdBy, l.createdAt AS createdAt
ORDER BY seq
