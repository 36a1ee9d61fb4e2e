CREATE TABLE `addresses` (
	`key` text PRIMARY KEY NOT NULL,
	`mail1_at` integer,
	`mail2_at` integer,
	`mail3_at` integer,
	`mail_nonce` text
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`name` text,
	`scopes` text NOT NULL,
	`lists` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`detail` text
);
--> statement-breakpoint
CREATE TABLE `changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`list_id` integer NOT NULL,
	`subscription_id` integer,
	`type` text NOT NULL,
	`email` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `changes_list_seq` ON `changes` (`list_id`,`seq`);--> statement-breakpoint
CREATE INDEX `changes_subscription` ON `changes` (`subscription_id`);--> statement-breakpoint
CREATE TABLE `delivery_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`list_id` integer,
	`hash` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `delivery_events_list_at` ON `delivery_events` (`list_id`,`at`);--> statement-breakpoint
CREATE INDEX `delivery_events_hash` ON `delivery_events` (`hash`,`type`,`at`);--> statement-breakpoint
CREATE TABLE `list_daily` (
	`list_id` integer NOT NULL,
	`day` integer NOT NULL,
	`signups` integer DEFAULT 0 NOT NULL,
	`confirmations` integer DEFAULT 0 NOT NULL,
	`delivered` integer DEFAULT 0 NOT NULL,
	`hard_bounces` integer DEFAULT 0 NOT NULL,
	`soft_bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `list_daily_pk` ON `list_daily` (`list_id`,`day`);--> statement-breakpoint
CREATE TABLE `lists` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`from_addr` text,
	`language` text DEFAULT 'en' NOT NULL,
	`redirect_pending` text,
	`redirect_confirmed` text,
	`allowed_origins` text DEFAULT '[]' NOT NULL,
	`turnstile_site_key` text,
	`turnstile_secret` text,
	`check_mx` integer DEFAULT false NOT NULL,
	`block_disposable` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`count_pending` integer DEFAULT 0 NOT NULL,
	`count_confirmed` integer DEFAULT 0 NOT NULL,
	`count_unsubscribed` integer DEFAULT 0 NOT NULL,
	`count_suppressed` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lists_slug_unique` ON `lists` (`slug`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscription_id` integer,
	`list_id` integer,
	`to_addr` text NOT NULL,
	`message` text NOT NULL,
	`state` text DEFAULT 'queued' NOT NULL,
	`batch_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`provider_id` text,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_batch` ON `outbox` (`batch_id`);--> statement-breakpoint
CREATE TABLE `outbox_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`idempotency_key` text NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rate_buckets` (
	`key` text PRIMARY KEY NOT NULL,
	`tokens` real NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`list_id` integer NOT NULL,
	`email` text NOT NULL,
	`key` text NOT NULL,
	`name` text,
	`state` text NOT NULL,
	`signup_id` text NOT NULL,
	`unsub_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`expires_at` integer,
	`confirmed_at` integer,
	`confirm_seq` integer,
	`unsubscribed_at` integer,
	`suppressed_at` integer,
	`signup_ip` text,
	`signup_user_agent` text,
	`signup_source` text,
	`confirm_ip` text,
	`confirm_user_agent` text,
	`unsubscribe_source` text,
	FOREIGN KEY (`list_id`) REFERENCES `lists`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_list_key` ON `subscriptions` (`list_id`,`key`);--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_signup_id` ON `subscriptions` (`signup_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_unsub_token` ON `subscriptions` (`unsub_token`);--> statement-breakpoint
CREATE INDEX `subscriptions_export` ON `subscriptions` (`list_id`,`state`,`confirm_seq`);--> statement-breakpoint
CREATE INDEX `subscriptions_key` ON `subscriptions` (`key`);--> statement-breakpoint
CREATE INDEX `subscriptions_pending_expiry` ON `subscriptions` (`state`,`expires_at`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`hash` text PRIMARY KEY NOT NULL,
	`email` text,
	`reason` text NOT NULL,
	`source` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_receipts` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`received_at` integer NOT NULL
);
