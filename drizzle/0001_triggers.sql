-- Derived rows that must never drift: per-list counters, daily stats and the changes feed.
-- Triggers run inside the writing statement on both better-sqlite3 and D1.
CREATE TRIGGER `subscriptions_after_insert` AFTER INSERT ON `subscriptions` BEGIN
  UPDATE `lists` SET
    `count_pending` = `count_pending` + (new.`state` = 'pending'),
    `count_confirmed` = `count_confirmed` + (new.`state` = 'confirmed'),
    `count_unsubscribed` = `count_unsubscribed` + (new.`state` = 'unsubscribed'),
    `count_suppressed` = `count_suppressed` + (new.`state` = 'suppressed')
  WHERE `id` = new.`list_id`;
  INSERT INTO `list_daily` (`list_id`, `day`, `signups`) VALUES (new.`list_id`, new.`created_at` / 86400000, 1)
  ON CONFLICT (`list_id`, `day`) DO UPDATE SET `signups` = `signups` + 1;
END;
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
  WHERE new.`state` IN ('confirmed', 'unsubscribed', 'suppressed');
  INSERT INTO `list_daily` (`list_id`, `day`, `signups`, `confirmations`)
  SELECT new.`list_id`, new.`updated_at` / 86400000, new.`state` = 'pending', new.`state` = 'confirmed'
  WHERE new.`state` IN ('pending', 'confirmed')
  ON CONFLICT (`list_id`, `day`) DO UPDATE SET
    `signups` = `signups` + excluded.`signups`,
    `confirmations` = `confirmations` + excluded.`confirmations`;
END;
--> statement-breakpoint
CREATE TRIGGER `subscriptions_after_delete` AFTER DELETE ON `subscriptions` BEGIN
  UPDATE `lists` SET
    `count_pending` = `count_pending` - (old.`state` = 'pending'),
    `count_confirmed` = `count_confirmed` - (old.`state` = 'confirmed'),
    `count_unsubscribed` = `count_unsubscribed` - (old.`state` = 'unsubscribed'),
    `count_suppressed` = `count_suppressed` - (old.`state` = 'suppressed')
  WHERE `id` = old.`list_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `delivery_events_after_insert` AFTER INSERT ON `delivery_events`
WHEN new.`list_id` IS NOT NULL BEGIN
  INSERT INTO `list_daily` (`list_id`, `day`, `delivered`, `hard_bounces`, `soft_bounces`, `complaints`)
  VALUES (new.`list_id`, new.`at` / 86400000, new.`type` = 'delivered', new.`type` = 'hard_bounce',
          new.`type` = 'soft_bounce', new.`type` = 'complaint')
  ON CONFLICT (`list_id`, `day`) DO UPDATE SET
    `delivered` = `delivered` + excluded.`delivered`,
    `hard_bounces` = `hard_bounces` + excluded.`hard_bounces`,
    `soft_bounces` = `soft_bounces` + excluded.`soft_bounces`,
    `complaints` = `complaints` + excluded.`complaints`;
END;
