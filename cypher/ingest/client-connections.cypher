// Bolt connections to the server, to tell whether another client (serve, worker) would lose its
// database when a bulk back-fill stops Neo4j.
// Params: none. Returns: connectionId, userAgent, clientAddress, connectTime.
CALL dbms.listConnections() YIELD connectionId, userAgent, clientAddress, connectTime
RETURN connectionId, userAgent, clientAddress, connectTime
