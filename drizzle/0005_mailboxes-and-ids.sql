-- Every subscription gets a stable opaque id for mailers (export rows, feed events, erasure), and
-- the keyed hash of its mailbox (provider aliases folded), which suppression, erasure and "this
-- wasn't me" act on. Ids are drawn here; mailbox hashes need the installation's HMAC key, so the
-- service fills them at start-up (src/services/installation.ts) before it serves a request.
ALTER TABLE `changes` ADD `public_id` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `public_id` text NOT NULL DEFAULT '';--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `mailbox_hash` text NOT NULL DEFAULT '';--> statement-breakpoint
UPDATE `subscriptions` SET `public_id` = 'sub_' || lower(hex(randomblob(12)));--> statement-breakpoint
UPDATE `changes` SET `public_id` = (SELECT s.`public_id` FROM `subscriptions` s WHERE s.`id` = `changes`.`subscription_id`)
WHERE `subscription_id` IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_public_id` ON `subscriptions` (`public_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_mailbox` ON `subscriptions` (`mailbox_hash`);--> statement-breakpoint
-- Retention purges (src/db/queries/retention.ts) find old rows by time.
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `delivery_events_at` ON `delivery_events` (`at`);--> statement-breakpoint
CREATE INDEX `webhook_receipts_received` ON `webhook_receipts` (`received_at`);--> statement-breakpoint
DROP TRIGGER `subscriptions_after_state`;
--> statement-breakpoint
CREATE TRIGGER `subscriptions_after_state` AFTER UPDATE OF `state` ON `subscriptions`
WHEN old.`state` IS NOT new.`state` BEGIN
  UPDATE `lists` SET
    `count_pending` = `count_pending` + (new.`state` = 'pending') - (old.`state` = 'pending'),
    `count_confirmed` = `count_confirmed` + (new.`state` = 'confirmed') - (old.`state` = 'confirmed'),
    `count_unsubscribed` = `count_unsubscribed` + (new.`state` = 'unsubscribed') - (old.`state` = 'unsubscribed'),
    `count_suppressed` = `count_suppressed` + (new.`state` = 'suppressed') - (old.`state` = 'suppressed')
  WHERE `id` = new.`list_id`;
  INSERT INTO `changes` (`list_id`, `subscription_id`, `public_id`, `type`, `email`, `at`)
  SELECT new.`list_id`, new.`id`, new.`public_id`, new.`state`, new.`email`, new.`updated_at`
  WHERE new.`state` = 'confirmed'
     OR (new.`state` IN ('unsubscribed', 'suppressed') AND old.`confirm_seq` IS NOT NULL);
  INSERT INTO `list_daily` (`list_id`, `day`, `signups`, `confirmations`)
  SELECT new.`list_id`, new.`updated_at` / 86400000, new.`state` = 'pending', new.`state` = 'confirmed'
  WHERE new.`state` IN ('pending', 'confirmed')
  ON CONFLICT (`list_id`, `day`) DO UPDATE SET
    `signups` = `signups` + excluded.`signups`,
    `confirmations` = `confirmations` + excluded.`confirmations`;
END;
