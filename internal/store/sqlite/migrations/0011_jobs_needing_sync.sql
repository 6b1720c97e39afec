-- The jobs sync has something to do with: those not ended (to refresh) and
-- those ended but never exported. Everything else, the bulk of a registry
-- used for months, stays out of this index, so a sync with nothing to do
-- reads none of it. A query uses the index when its WHERE clause has this
-- same term (see the NeedsSync filter).
CREATE INDEX jobs_needing_sync ON jobs (created_at DESC, id DESC)
	WHERE completed_at IS NULL OR synced_at IS NULL;
