-- Events of imported rows that the import did not ask to announce: in the feed, passed over by pushes.
ALTER TABLE `changes` ADD `silent` integer DEFAULT false NOT NULL;