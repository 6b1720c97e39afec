-- Placeholder for branch i14-bill's migration 0008 (this session's numbering):
-- the integrator replaces it with i14-bill's file when merging.
SELECT 1;
