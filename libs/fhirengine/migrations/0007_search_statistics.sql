-- Extended statistics: realm, type and param are strongly correlated (a param belongs to a few
-- types; a realm holds some types only), so the planner's independent estimates were off by
-- 10-100x and it sorted every match of a broad search instead of walking the resources in order
-- and stopping at the page's end. Measured with bench/directory.sh: a `_has` over 28,000 roles
-- went from 209 ms to 4 ms.
CREATE STATISTICS search_token_stats (dependencies, ndistinct, mcv)
  ON realm, type, param, code FROM search_token;
CREATE STATISTICS search_string_stats (dependencies, ndistinct, mcv)
  ON realm, type, param FROM search_string;
CREATE STATISTICS search_date_stats (dependencies, ndistinct, mcv)
  ON realm, type, param FROM search_date;
CREATE STATISTICS search_reference_stats (dependencies, ndistinct, mcv)
  ON realm, type, param, target_type FROM search_reference;
CREATE STATISTICS search_number_stats (dependencies, ndistinct, mcv)
  ON realm, type, param FROM search_number;
CREATE STATISTICS search_quantity_stats (dependencies, ndistinct, mcv)
  ON realm, type, param FROM search_quantity;
CREATE STATISTICS search_uri_stats (dependencies, ndistinct, mcv)
  ON realm, type, param FROM search_uri;
CREATE STATISTICS search_position_stats (dependencies, ndistinct, mcv)
  ON realm, type, param FROM search_position;
CREATE STATISTICS compartment_stats (dependencies, ndistinct) ON realm, patient, type FROM compartment;
