// One delivery attempt of a webhook.
// Params: $id, $deliveryId (the X-Acctnet-Delivery header: one per change, the same on every attempt), $webhookId, $fromVersion: int|null, $toVersion: int, $attempt: int, $at: int, $ok: bool,
//         $httpStatus: int|null, $error, $durationMs: int, $mode ('diff'|'pull'). Returns: nothing.
CREATE (:WebhookDelivery {id: $id, deliveryId: $deliveryId, webhookId: $webhookId, fromVersion: $fromVersion, toVersion: $toVersion, attempt: $attempt,
                          at: $at, ok: $ok, httpStatus: $httpStatus, error: $error, durationMs: $durationMs, mode: $mode})
