export type Lang = 'en' | 'ja';

const en = {
  signupTitle: 'Subscribe to {list}',
  emailLabel: 'Email address',
  nameLabel: 'Name (optional)',
  subscribe: 'Subscribe',
  checkInboxTitle: 'Check your inbox',
  checkInboxBody: 'Almost done: we sent you a mail to confirm your subscription to {list}. Open the link in it to finish.',
  confirmTitle: 'Confirm your subscription',
  confirmBody: 'Press the button to confirm that you want to receive {list}.',
  confirmButton: 'Yes, subscribe me',
  confirmedTitle: 'You are subscribed',
  confirmedBody: 'Thank you. Your subscription to {list} is confirmed.',
  unsubscribeTitle: 'Unsubscribe',
  unsubscribeBody: 'Press the button to stop receiving {list}.',
  unsubscribeButton: 'Unsubscribe',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribedBody: 'You will not receive {list} any more.',
  notMeTitle: 'This wasn’t me',
  notMeBody: 'If you did not sign up, press the button and this address will get no more mail from us, on any list.',
  notMeButton: 'Stop all mail to this address',
  notMeDoneTitle: 'Done',
  notMeDoneBody: 'This address will get no more mail from us.',
  errorTitle: 'Something went wrong',
  errorBody: 'Please try again later.',
  notFoundTitle: 'Page not found',
  notFoundBody: 'Check the address, or the whole link from the mail.',
  rateLimitedTitle: 'Too many attempts',
  rateLimitedBody: 'Too many attempts from here. Please wait a few minutes and try again.',
  invalidEmail: 'Please check the email address.',
  didYouMean: 'Did you mean {email}?',
  useSuggestion: 'Yes, use {email}',
  invalidLinkTitle: 'This link is not valid',
  invalidLinkBody: 'The link may be incomplete. Copy the whole link from the mail and try again.',
  expiredTitle: 'This link has expired',
  expiredBody: 'Sign up again to get a fresh confirmation link.',
  mailSubject: 'Confirm your subscription to {list}',
  mailGreeting: 'Hello {name},',
  mailGreetingPlain: 'Hello,',
  mailBody: 'Someone (hopefully you) asked to subscribe this address to {list}. To confirm, open the link below.',
  mailButton: 'Confirm subscription',
  mailIgnore: 'If you did not ask for this, ignore this mail: you will not be subscribed.',
  mailNotMe: 'This wasn’t me: stop all mail to this address',
  mailExpiry: 'The link works for {hours} hours.',
  mailReminderSubject: 'Reminder: confirm your subscription to {list}',
  mailReminderBody: 'A little while ago someone (hopefully you) asked to subscribe this address to {list}, and it is not confirmed yet. To confirm, open the link below. This is the only reminder.',
  mailPreheader: 'One click confirms your subscription to {list}.',
  mailCopyLink: 'If the button does not work, copy this link into your browser:',
  mailFooterDefault: 'You get this mail because this address was entered in the signup form of {list}.',
  mailTestNote: 'This is a test mail: its links are samples and confirm nobody.',
  checkInboxSender: 'The mail comes from {sender}. If it is not in your inbox within a few minutes, look in the spam or junk folder.',
  checkInboxOpen: 'Open {provider}',
  consentLabel: 'By subscribing you agree to this:',
};

const ja: typeof en = {
  signupTitle: '{list} の購読',
  emailLabel: 'メールアドレス',
  nameLabel: 'お名前（任意）',
  subscribe: '登録する',
  checkInboxTitle: '受信箱をご確認ください',
  checkInboxBody: 'あと少しです。{list} の購読を確認するメールをお送りしました。メール内のリンクを開いて登録を完了してください。',
  confirmTitle: '購読の確認',
  confirmBody: '{list} の受信を希望される場合は、ボタンを押してください。',
  confirmButton: 'はい、登録します',
  confirmedTitle: '登録が完了しました',
  confirmedBody: 'ありがとうございます。{list} への登録が確定しました。',
  unsubscribeTitle: '配信停止',
  unsubscribeBody: 'ボタンを押すと {list} の配信を停止します。',
  unsubscribeButton: '配信を停止する',
  unsubscribedTitle: '配信を停止しました',
  unsubscribedBody: '今後 {list} は届きません。',
  notMeTitle: '心当たりがありません',
  notMeBody: 'ご自身で登録していない場合は、ボタンを押してください。このアドレスにはどのリストからも今後メールを送りません。',
  notMeButton: 'このアドレスへの送信をすべて止める',
  notMeDoneTitle: '完了しました',
  notMeDoneBody: 'このアドレスには今後メールを送りません。',
  errorTitle: 'エラーが発生しました',
  errorBody: 'しばらくしてからもう一度お試しください。',
  notFoundTitle: 'ページが見つかりません',
  notFoundBody: 'アドレス、またはメールのリンク全体をご確認ください。',
  rateLimitedTitle: '試行回数が多すぎます',
  rateLimitedBody: '試行回数が多すぎます。数分おいてからもう一度お試しください。',
  invalidEmail: 'メールアドレスをご確認ください。',
  didYouMean: '{email} の間違いではありませんか？',
  useSuggestion: '{email} を使う',
  invalidLinkTitle: 'このリンクは無効です',
  invalidLinkBody: 'リンクが途中で切れている可能性があります。メールからリンク全体をコピーしてもう一度お試しください。',
  expiredTitle: 'このリンクは有効期限切れです',
  expiredBody: 'もう一度登録すると、新しい確認リンクをお送りします。',
  mailSubject: '{list} の購読確認',
  mailGreeting: '{name} 様',
  mailGreetingPlain: 'こんにちは。',
  mailBody: 'このアドレスで {list} の購読が申し込まれました。下のリンクを開いて登録を確認してください。',
  mailButton: '登録を確認する',
  mailIgnore: 'お心当たりがない場合は、このメールを無視してください。登録されることはありません。',
  mailNotMe: '心当たりがない：このアドレスへの送信をすべて止める',
  mailExpiry: 'リンクの有効期限は {hours} 時間です。',
  mailReminderSubject: '【再送】{list} の購読確認',
  mailReminderBody: '先日このアドレスで {list} の購読が申し込まれましたが、まだ確認されていません。下のリンクを開いて登録を確認してください。このお知らせは一度だけお送りしています。',
  mailPreheader: 'ワンクリックで {list} の購読が確定します。',
  mailCopyLink: 'ボタンが使えない場合は、次のリンクをブラウザにコピーしてください。',
  mailFooterDefault: 'このメールは、{list} の登録フォームにこのアドレスが入力されたためお送りしています。',
  mailTestNote: 'これはテストメールです。リンクは見本で、誰も登録されません。',
  checkInboxSender: '送信元は {sender} です。数分たっても受信箱に届かない場合は、迷惑メールフォルダもご確認ください。',
  checkInboxOpen: '{provider} を開く',
  consentLabel: '登録すると、次の内容に同意したものとみなされます。',
};

export type MessageKey = keyof typeof en;
const catalogs = { en, ja };

/** Looks up a message and fills `{placeholders}` with plain text (callers escape for HTML). */
export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return catalogs[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** The page language: the list's, else the first supported language in Accept-Language. */
export function pickLang(listLang: Lang | undefined, acceptLanguage: string | undefined): Lang {
  if (listLang) return listLang;
  const first = (acceptLanguage ?? '')
    .split(',')
    .map((p) => p.trim().split(';')[0].toLowerCase())
    .find((l) => l.startsWith('ja') || l.startsWith('en'));
  return first?.startsWith('ja') ? 'ja' : 'en';
}
