// Investigator labels: append-only events, the latest non-retracted one per account wins.
// Params: none. Returns: nothing.
CREATE CONSTRAINT label_id IF NOT EXISTS FOR (l:Label) REQUIRE l.id IS UNIQUE;
CREATE INDEX label_account IF NOT EXISTS FOR (l:Label) ON (l.accountId);
CREATE CONSTRAINT label_state_id IF NOT EXISTS FOR (s:LabelState) REQUIRE s.id IS UNIQUE;
