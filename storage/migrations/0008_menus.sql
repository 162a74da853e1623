-- Each person's own command menu (only the commands their roles may use) is published to their
-- private chat by a job; this is the fingerprint of the menu last published (NULL: none, the
-- general menu applies), so a changed role or language republishes it — once.
ALTER TABLE people ADD COLUMN menu_published TEXT;
