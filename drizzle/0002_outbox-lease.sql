ALTER TABLE `outbox_batches` ADD `leased_until` integer;--> statement-breakpoint
ALTER TABLE `outbox_batches` ADD `in_doubt` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox_batches` ADD `last_error` text;--> statement-breakpoint
CREATE INDEX `outbox_batches_due` ON `outbox_batches` (`state`,`next_attempt_at`);