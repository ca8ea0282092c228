-- String searches match a prefix of the normalised text within one parameter of one type, and
-- the distribution of that text differs wildly between parameters (a city name is 4% of the
-- cities, 0.03% of all the strings). The planner estimated such a prefix from the whole column
-- and multiplied by the share of the parameter, so it took the 443 roles' locations in one city
-- for 74 and probed the resources of thousands of candidates one at a time. The search now
-- writes a prefix as a range (`norm ~>=~ $1 AND norm ~<~ $2`, which the planner can check
-- against these most common (realm, type, param, norm) values; LIKE it cannot), and the list is
-- long enough to hold the common values of every parameter: at the default 100 entries it held
-- few beyond the states and countries, and estimates were worse than before.
-- Measured on bench/directory.sh's data (100,000 practitioners): a family-name prefix estimated
-- 1,908 rows for 1,896 (was 324 with LIKE), a city 445 for 443 (was 1).
CREATE STATISTICS search_string_value_stats (mcv) ON realm, type, param, norm FROM search_string;
ALTER STATISTICS search_string_value_stats SET STATISTICS 1000;
-- Existing data gets the statistics now rather than at autovacuum's next analyze of the table,
-- which on a loaded directory that changes little may be far off.
ANALYZE search_string;
