-- Positions (latitude, longitude in degrees, WGS84) reached by special search parameters
-- (Location.position for `near`), written with the other index rows of migration 0002. A near
-- search first narrows to a latitude band and longitude range on the value index, then computes
-- the exact great-circle distance on what is left; no extension (PostGIS, earthdistance) needed.
CREATE TABLE search_position (
  realm smallint NOT NULL, type text NOT NULL, id text NOT NULL, param text NOT NULL,
  latitude double precision NOT NULL, longitude double precision NOT NULL
);
CREATE INDEX search_position_value ON search_position (realm, type, param, latitude, longitude);
CREATE INDEX search_position_resource ON search_position (realm, type, id);
