-- The list's own confirmation mail (rendered when sent, from the settings of that moment), consent
-- wording kept with each signup, one optional reminder, and the confirmation funnel by cohort and
-- provider kept by triggers. The outbox now holds what to send; the mail is rendered when a batch
-- takes it (message is null until then), so outbox is rebuilt to drop NOT NULL from message.
CREATE TABLE `consent_texts` (
	`hash` text PRIMARY KEY NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `funnel_daily` (
	`list_id` integer NOT NULL,
	`day` integer NOT NULL,
	`provider` text NOT NULL,
	`signups` integer DEFAULT 0 NOT NULL,
	`mails_sent` integer DEFAULT 0 NOT NULL,
	`confirmed` integer DEFAULT 0 NOT NULL,
	`t0` integer DEFAULT 0 NOT NULL,
	`t1` integer DEFAULT 0 NOT NULL,
	`t2` integer DEFAULT 0 NOT NULL,
	`t3` integer DEFAULT 0 NOT NULL,
	`t4` integer DEFAULT 0 NOT NULL,
	`t5` integer DEFAULT 0 NOT NULL,
	`t6` integer DEFAULT 0 NOT NULL,
	`t7` integer DEFAULT 0 NOT NULL,
	`t8` integer DEFAULT 0 NOT NULL,
	`t9` integer DEFAULT 0 NOT NULL,
	`t10` integer DEFAULT 0 NOT NULL,
	`t11` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `funnel_daily_pk` ON `funnel_daily` (`list_id`,`day`,`provider`);--> statement-breakpoint
CREATE TABLE `__new_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscription_id` integer,
	`list_id` integer,
	`to_addr` text NOT NULL,
	`kind` text DEFAULT 'confirmation' NOT NULL,
	`message` text,
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
-- Mail already rendered by an earlier version keeps its message and is sent as it is.
INSERT INTO `__new_outbox`("id", "subscription_id", "list_id", "to_addr", "kind", "message", "state", "batch_id", "attempts", "next_attempt_at", "created_at", "sent_at", "provider_id", "last_error") SELECT "id", "subscription_id", "list_id", "to_addr", 'confirmation', "message", "state", "batch_id", "attempts", "next_attempt_at", "created_at", "sent_at", "provider_id", "last_error" FROM `outbox`;--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `__new_outbox` RENAME TO `outbox`;--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_batch` ON `outbox` (`batch_id`);--> statement-breakpoint
ALTER TABLE `list_daily` ADD `unsubscriptions` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `lists` ADD `confirmation_mail` text;--> statement-breakpoint
ALTER TABLE `lists` ADD `reply_to` text;--> statement-breakpoint
ALTER TABLE `lists` ADD `mail_footer` text;--> statement-breakpoint
ALTER TABLE `lists` ADD `consent_text` text;--> statement-breakpoint
ALTER TABLE `lists` ADD `consent_hash` text;--> statement-breakpoint
ALTER TABLE `lists` ADD `reminder_after_hours` real;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `signed_up_at` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `provider` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `first_mail_at` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `reminded_at` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `consent_hash` text;--> statement-breakpoint
CREATE INDEX `subscriptions_pending_mail` ON `subscriptions` (`state`,`first_mail_at`);--> statement-breakpoint
-- Pending signups from before: their first mail is the oldest one sent (their expiry already counts from it).
UPDATE `subscriptions` SET `first_mail_at` = (SELECT min(o.`sent_at`) FROM `outbox` o WHERE o.`subscription_id` = `subscriptions`.`id` AND o.`state` = 'sent')
WHERE `state` = 'pending';
--> statement-breakpoint
DROP TRIGGER `subscriptions_after_insert`;
--> statement-breakpoint
CREATE TRIGGER `subscriptions_after_insert` AFTER INSERT ON `subscriptions` BEGIN
  UPDATE `lists` SET
    `count_pending` = `count_pending` + (new.`state` = 'pending'),
    `count_confirmed` = `count_confirmed` + (new.`state` = 'confirmed'),
    `count_unsubscribed` = `count_unsubscribed` + (new.`state` = 'unsubscribed'),
    `count_suppressed` = `count_suppressed` + (new.`state` = 'suppressed')
  WHERE `id` = new.`list_id`;
  -- Only a signup is a signup: rows imported in another state are counted by their import's report.
  INSERT INTO `list_daily` (`list_id`, `day`, `signups`) SELECT new.`list_id`, new.`created_at` / 86400000, 1
  WHERE new.`state` = 'pending' AND new.`signed_up_at` IS NOT NULL
  ON CONFLICT (`list_id`, `day`) DO UPDATE SET `signups` = `signups` + 1;
  INSERT INTO `funnel_daily` (`list_id`, `day`, `provider`, `signups`)
  SELECT new.`list_id`, new.`signed_up_at` / 86400000, coalesce(new.`provider`, 'other'), 1
  WHERE new.`state` = 'pending' AND new.`signed_up_at` IS NOT NULL
  ON CONFLICT (`list_id`, `day`, `provider`) DO UPDATE SET `signups` = `signups` + 1;
END;
--> statement-breakpoint
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
  INSERT INTO `list_daily` (`list_id`, `day`, `signups`, `confirmations`, `unsubscriptions`)
  SELECT new.`list_id`, new.`updated_at` / 86400000, new.`state` = 'pending', new.`state` = 'confirmed', new.`state` = 'unsubscribed'
  WHERE new.`state` IN ('pending', 'confirmed', 'unsubscribed')
  ON CONFLICT (`list_id`, `day`) DO UPDATE SET
    `signups` = `signups` + excluded.`signups`,
    `confirmations` = `confirmations` + excluded.`confirmations`,
    `unsubscriptions` = `unsubscriptions` + excluded.`unsubscriptions`;
  -- The funnel: a new signup (a return from unsubscribed) joins its day's cohort; a confirmation
  -- counts in its signup's cohort, with how long it took from the first mail (else from the signup).
  INSERT INTO `funnel_daily` (`list_id`, `day`, `provider`, `signups`, `confirmed`, `t0`, `t1`, `t2`, `t3`, `t4`, `t5`, `t6`, `t7`, `t8`, `t9`, `t10`, `t11`)
  SELECT new.`list_id`, new.`signed_up_at` / 86400000, coalesce(new.`provider`, 'other'), new.`state` = 'pending', new.`state` = 'confirmed',
    c.s < 60, c.s >= 60 AND c.s < 300, c.s >= 300 AND c.s < 900, c.s >= 900 AND c.s < 1800, c.s >= 1800 AND c.s < 3600,
    c.s >= 3600 AND c.s < 7200, c.s >= 7200 AND c.s < 14400, c.s >= 14400 AND c.s < 28800, c.s >= 28800 AND c.s < 86400,
    c.s >= 86400 AND c.s < 172800, c.s >= 172800 AND c.s < 604800, c.s >= 604800 AND c.s < 1e18
  -- Seconds from the first mail to the confirmation; a new signup counts in no bucket (s out of every range).
  FROM (SELECT CASE WHEN new.`state` = 'confirmed' THEN (new.`confirmed_at` - coalesce(new.`first_mail_at`, new.`signed_up_at`)) / 1000 ELSE 1e18 END AS s) AS c
  WHERE new.`signed_up_at` IS NOT NULL AND (new.`state` = 'pending' OR (new.`state` = 'confirmed' AND old.`state` = 'pending'))
  ON CONFLICT (`list_id`, `day`, `provider`) DO UPDATE SET
    `signups` = `signups` + excluded.`signups`, `confirmed` = `confirmed` + excluded.`confirmed`,
    `t0` = `t0` + excluded.`t0`, `t1` = `t1` + excluded.`t1`, `t2` = `t2` + excluded.`t2`, `t3` = `t3` + excluded.`t3`,
    `t4` = `t4` + excluded.`t4`, `t5` = `t5` + excluded.`t5`, `t6` = `t6` + excluded.`t6`, `t7` = `t7` + excluded.`t7`,
    `t8` = `t8` + excluded.`t8`, `t9` = `t9` + excluded.`t9`, `t10` = `t10` + excluded.`t10`, `t11` = `t11` + excluded.`t11`;
END;
--> statement-breakpoint
CREATE TRIGGER `subscriptions_after_first_mail` AFTER UPDATE OF `first_mail_at` ON `subscriptions`
WHEN old.`first_mail_at` IS NULL AND new.`first_mail_at` IS NOT NULL AND new.`signed_up_at` IS NOT NULL BEGIN
  INSERT INTO `funnel_daily` (`list_id`, `day`, `provider`, `mails_sent`)
  VALUES (new.`list_id`, new.`signed_up_at` / 86400000, coalesce(new.`provider`, 'other'), 1)
  ON CONFLICT (`list_id`, `day`, `provider`) DO UPDATE SET `mails_sent` = `mails_sent` + 1;
END;
