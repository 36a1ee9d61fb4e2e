-- Outbound webhooks: push consumers of the changes feed (a cursor each), their webhooks, the push
-- queue (one row per event to deliver, its message id kept across retries) and the attempts log.
CREATE TABLE `push_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`consumer_id` text NOT NULL,
	`delivery_id` integer NOT NULL,
	`message_id` text NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`status` integer,
	`error` text,
	`excerpt` text,
	`outcome` text NOT NULL,
	FOREIGN KEY (`consumer_id`) REFERENCES `push_consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `push_attempts_consumer` ON `push_attempts` (`consumer_id`,`id`);--> statement-breakpoint
CREATE INDEX `push_attempts_at` ON `push_attempts` (`at`);--> statement-breakpoint
CREATE TABLE `push_consumers` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`types` text NOT NULL,
	`lists` text,
	`cursor` integer DEFAULT 0 NOT NULL,
	`generation` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`failing_since` integer,
	`last_success_at` integer,
	`last_failure_at` integer,
	`disabled_at` integer,
	`disabled_reason` text
);
--> statement-breakpoint
CREATE TABLE `push_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`consumer_id` text NOT NULL,
	`seq` integer NOT NULL,
	`generation` integer NOT NULL,
	`message_id` text NOT NULL,
	`type` text NOT NULL,
	`state` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`leased_until` integer,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`last_error` text,
	FOREIGN KEY (`consumer_id`) REFERENCES `push_consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `push_deliveries_event` ON `push_deliveries` (`consumer_id`,`generation`,`seq`);--> statement-breakpoint
CREATE INDEX `push_deliveries_due` ON `push_deliveries` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `push_deliveries_consumer` ON `push_deliveries` (`consumer_id`,`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `push_deliveries_finished` ON `push_deliveries` (`finished_at`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`id`) REFERENCES `push_consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
