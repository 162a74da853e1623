-- The fingerprint of the command menu last published to each person (as SQLite's 0008).
ALTER TABLE people ADD COLUMN menu_published text;
