import type { Config } from '../config';
import type { Finding } from './findings';

/**
 * Regions whose SES API endpoint (`email.<region>.amazonaws.com`) AWS listed when this was written.
 * A region outside it is only a warning: AWS opens new ones.
 */
const SES_REGIONS = new Set([
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2',
  'ap-southeast-3', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'eu-central-1', 'eu-central-2', 'eu-west-1',
  'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-south-1', 'me-central-1', 'sa-east-1',
  'us-gov-west-1', 'us-gov-east-1',
]);
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export type SesConfig = Pick<Config, 'mailTransport' | 'AWS_REGION' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'SES_CONFIGURATION_SET' | 'SES_ENDPOINT' | 'SES_TOPIC_ARNS'>;

/**
 * What `listgate doctor` can tell about MAIL_TRANSPORT=ses without calling AWS: the region, the
 * shape of the access key (never the secret), the configuration set that brings bounces and
 * complaints back, and the SNS topics /webhooks/ses accepts. Empty for other transports.
 */
export function checkSesConfig(c: SesConfig): Finding[] {
  if (c.mailTransport !== 'ses') return [];
  const region = c.AWS_REGION ?? '';
  const endpoint = c.SES_ENDPOINT ?? `https://email.${region}.amazonaws.com`;
  const findings: Finding[] = [
    SES_REGIONS.has(region)
      ? { check: 'SES region', status: 'ok', explanation: `Mail is signed for ${region} and sent to ${endpoint}.` }
      : { check: 'SES region', status: 'warn', explanation: `${region} is not among the regions where listgate knows SES (its list may be older than AWS's). Requests go to ${endpoint}.`, fix: 'check the SES endpoint table in the AWS documentation, or set AWS_REGION to the region where your identities are verified' },
  ];
  if (c.SES_ENDPOINT && !/\.(amazonaws\.com(\.cn)?|api\.aws)$/.test(new URL(c.SES_ENDPOINT).hostname)) {
    findings.push({ check: 'SES endpoint', status: 'warn', explanation: `SES_ENDPOINT sends every mail to ${c.SES_ENDPOINT}, which is not an AWS host.`, fix: 'unset SES_ENDPOINT unless you mean it (a test imitation, a proxy)' });
  }
  const key = c.AWS_ACCESS_KEY_ID ?? '';
  if (/^ASIA/.test(key)) {
    findings.push({ check: 'SES credentials', status: 'error', explanation: 'AWS_ACCESS_KEY_ID is a temporary key (ASIA...): it needs a session token, which listgate does not send, and it expires.', fix: 'create an IAM user with ses:SendEmail and use its long-lived key (AKIA...)' });
  } else if (!/^AKIA[A-Z0-9]{16}$/.test(key) || (c.AWS_SECRET_ACCESS_KEY ?? '').length !== 40) {
    findings.push({ check: 'SES credentials', status: 'warn', explanation: 'AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY does not have the shape of an IAM user\'s key (AKIA and 16 characters; a 40-character secret).', fix: 'copy both again from the IAM console' });
  } else {
    findings.push({ check: 'SES credentials', status: 'ok', explanation: `An IAM user's access key (${key.slice(0, 8)}...) is set; whether AWS accepts it shows once a mail is sent (mail transport, below).` });
  }
  findings.push(
    c.SES_CONFIGURATION_SET
      ? { check: 'SES configuration set', status: 'ok', explanation: `Every mail names the configuration set ${c.SES_CONFIGURATION_SET}: give it an SNS event destination for Bounce and Complaint on a topic in SES_TOPIC_ARNS.` }
      : { check: 'SES configuration set', status: 'warn', explanation: 'No SES_CONFIGURATION_SET: bounces and complaints reach /webhooks/ses only if the identity\'s own notifications (or a default configuration set) send them to an SNS topic.', fix: 'create a configuration set with an SNS event destination (Bounce, Complaint, Delivery) and set SES_CONFIGURATION_SET to its name' },
  );
  const badArns = c.SES_TOPIC_ARNS.filter((arn) => !TOPIC_ARN.test(arn));
  if (badArns.length) {
    findings.push({ check: 'SES events', status: 'error', explanation: `SES_TOPIC_ARNS holds ${badArns.map((a) => JSON.stringify(a)).join(', ')}, which is not an SNS topic ARN: its notifications are refused with 403.`, fix: 'use the topic ARN as SNS shows it: arn:aws:sns:<region>:<account id>:<topic name>' });
  } else if (c.SES_TOPIC_ARNS.length === 0) {
    findings.push({ check: 'SES events', status: 'warn', explanation: 'SES_TOPIC_ARNS is not set, so /webhooks/ses answers 503: bounces and complaints suppress no one, and SES may pause an account that keeps mailing them.', fix: 'subscribe https://<your host>/webhooks/ses to the SNS topic and put its ARN in SES_TOPIC_ARNS' });
  } else {
    findings.push({ check: 'SES events', status: 'ok', explanation: `/webhooks/ses accepts notifications from ${c.SES_TOPIC_ARNS.join(', ')}.` });
  }
  return findings;
}
