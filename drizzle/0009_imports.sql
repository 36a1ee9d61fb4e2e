CREATE TABLE `imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`public_id` text NOT NULL,
	`list_id` integer NOT NULL,
	`mode` text NOT NULL,
	`consent_source` text,
	`notify` integer DEFAULT false NOT NULL,
	`actor` text NOT NULL,
	`state` text DEFAULT 'running' NOT NULL,
	`rows` integer DEFAULT 0 NOT NULL,
	`imported` integer DEFAULT 0 NOT NULL,
	`skipped_suppressed` integer DEFAULT 0 NOT NULL,
	`skipped_erased` integer DEFAULT 0 NOT NULL,
	`skipped_unsubscribed` integer DEFAULT 0 NOT NULL,
	`skipped_already` integer DEFAULT 0 NOT NULL,
	`skipped_invalid` integer DEFAULT 0 NOT NULL,
	`skipped_duplicate` integer DEFAULT 0 NOT NULL,
	`mails_queued` integer DEFAULT 0 NOT NULL,
	`mails_sent` integer DEFAULT 0 NOT NULL,
	`bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`mail_held_at` integer,
	`mail_held_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `imports_public_id_unique` ON `imports` (`public_id`);--> statement-breakpoint
CREATE INDEX `imports_list` ON `imports` (`list_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `import_id` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `opt_in_at` integer;--> statement-breakpoint
CREATE INDEX `subscriptions_import` ON `subscriptions` (`import_id`);--> statement-breakpoint
-- Imports (issue 17). A reconfirm import's mail, as it leaves and as it bounces or draws complaints,
-- is counted on the import's row, so its rates can hold back the rest of its mail (src/services/import-pacing.ts).
CREATE TRIGGER `subscriptions_import_first_mail` AFTER UPDATE OF `first_mail_at` ON `subscriptions`
WHEN old.`first_mail_at` IS NULL AND new.`first_mail_at` IS NOT NULL AND new.`import_id` IS NOT NULL BEGIN
  UPDATE `imports` SET `mails_sent` = `mails_sent` + 1 WHERE `id` = new.`import_id`;
END;
--> statement-breakpoint
-- A bounce or complaint counts for the import whose confirmation mail reached the mailbox on that
-- list, within a week of that mail (a later newsletter's bounce is the list's, not the import's).
CREATE TRIGGER `delivery_events_import` AFTER INSERT ON `delivery_events`
WHEN new.`type` IN ('hard_bounce', 'complaint') AND new.`list_id` IS NOT NULL BEGIN
  UPDATE `imports` SET
    `bounces` = `bounces` + (new.`type` = 'hard_bounce'),
    `complaints` = `complaints` + (new.`type` = 'complaint')
  WHERE `id` IN (
    SELECT s.`import_id` FROM `subscriptions` s
    WHERE s.`mailbox_hash` = new.`hash` AND s.`list_id` = new.`list_id` AND s.`import_id` IS NOT NULL
      AND s.`first_mail_at` IS NOT NULL AND new.`at` >= s.`first_mail_at` AND new.`at` < s.`first_mail_at` + 604800000
  );
END;
