-- Placeholder so that this branch (i13-create) numbers its migration 0011 as
-- agreed; 0010 belongs to i14-cache. The integrator drops this file when merging.
SELECT 1;
