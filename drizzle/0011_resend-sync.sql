-- Resend contact sync: a list's Resend destination (one feed consumer of kind resend_sync per list)
-- and the Resend contact id of each synced subscription, so an erasure can delete the contact.
-- push_consumers.kind gains 'resend_sync' (a drizzle enum: no SQL change).
CREATE TABLE `resend_contacts` (
	`public_id` text PRIMARY KEY NOT NULL,
	`contact_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `resend_syncs` (
	`id` text PRIMARY KEY NOT NULL,
	`list_id` integer NOT NULL,
	`segment_id` text NOT NULL,
	`topic_id` text NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`id`) REFERENCES `push_consumers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`list_id`) REFERENCES `lists`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `resend_syncs_list_id_unique` ON `resend_syncs` (`list_id`);