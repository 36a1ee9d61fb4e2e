-- The changes feed tells mailers about addresses they could have exported: a confirmation, and
-- an unsubscribe or suppression of an address that was confirmed (confirm_seq survives those and is
-- cleared when the address signs up again). A pending address leaving is not news to a mailer.
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
  INSERT INTO `changes` (`list_id`, `subscription_id`, `type`, `email`, `at`)
  SELECT new.`list_id`, new.`id`, new.`state`, new.`email`, new.`updated_at`
  WHERE new.`state` = 'confirmed'
     OR (new.`state` IN ('unsubscribed', 'suppressed') AND old.`confirm_seq` IS NOT NULL);
  INSERT INTO `list_daily` (`list_id`, `day`, `signups`, `confirmations`)
  SELECT new.`list_id`, new.`updated_at` / 86400000, new.`state` = 'pending', new.`state` = 'confirmed'
  WHERE new.`state` IN ('pending', 'confirmed')
  ON CONFLICT (`list_id`, `day`) DO UPDATE SET
    `signups` = `signups` + excluded.`signups`,
    `confirmations` = `confirmations` + excluded.`confirmations`;
END;
