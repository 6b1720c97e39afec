-- Reserved for branch i20-who's migration 0012: the integrator replaces
-- this file with it. It changes nothing.
SELECT 1;
