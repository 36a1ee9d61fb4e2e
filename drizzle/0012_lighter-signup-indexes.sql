DROP INDEX `subscriptions_key`;--> statement-breakpoint
DROP INDEX `subscriptions_confirm_seq`;--> statement-breakpoint
DROP INDEX `subscriptions_import`;--> statement-breakpoint
CREATE INDEX `subscriptions_confirm_seq` ON `subscriptions` (`confirm_seq`) WHERE "subscriptions"."confirm_seq" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `subscriptions_import` ON `subscriptions` (`import_id`) WHERE "subscriptions"."import_id" IS NOT NULL;