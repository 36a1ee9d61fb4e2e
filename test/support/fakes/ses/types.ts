/** A request as the imitation sees it, whatever carried it (node:http or workerd's fetch). */
export type SesRequest = { method: string; url: string; headers: Record<string, string>; body: string };
export type SesAnswer = { drop: true } | { drop: false; status: number; headers: Record<string, string>; body: string };

export type SesFakeOptions = {
  /** The region requests must be signed for. Default us-east-1. */
  region?: string;
  /** Access key id -> secret key. Default: the one pair in SES_TEST_CREDENTIALS. */
  credentials?: Record<string, string>;
  /** Verified identities (addresses or domains); a sender outside them is refused. Default example.com and listgate.test. */
  verifiedIdentities?: string[];
  /** Sandbox: recipients must be verified identities too. Default false. */
  sandbox?: boolean;
  /** Configuration sets the account has. Default ['listgate-events']. */
  configurationSets?: string[];
  /** Mails per rolling second before `TooManyRequestsException` (429). Default: no limit. */
  maxSendRate?: number | null;
  /** The imitation's clock (signature age, rate window). Default Date.now. */
  now?: () => number;
};

export const SES_TEST_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } as const;

/** What the account lets through: `paused` and `suspended` refuse every send. */
export type SesAccountState = 'enabled' | 'paused' | 'suspended';

/** One injected answer for the next matching requests: an error, a lost connection, or slowness. */
export type SesFault = {
  status?: number;
  code?: string;
  message?: string;
  /** A body that is not SES's JSON (a proxy's page). */
  rawBody?: string;
  retryAfter?: number;
  /** The connection drops before an answer; 'after-accept': SES took the mail, the answer is lost. */
  drop?: boolean | 'after-accept';
  /** How many requests meet it (default: until cleared or `until` is true). */
  times?: number;
  until?: () => boolean;
};

export type SesSentMail = {
  messageId: string;
  from: string;
  to: string[];
  replyTo: string[];
  subject: string;
  text: string;
  html: string;
  /** The mail's own headers (Simple `Headers`, or the Raw message's other fields), names as sent. */
  headers: Record<string, string>;
  content: 'Simple' | 'Raw';
  configurationSet: string | null;
  tags: Record<string, string>;
  accessKeyId: string;
};

export type SesRequestOutcome = 'pending' | 'accepted' | 'rejected' | 'throttled' | 'fault' | 'dropped';
export type SesRecordedRequest = {
  seq: number;
  method: string;
  path: string;
  status: number | null;
  outcome: SesRequestOutcome;
  /** The SES error code answered (`x-amzn-ErrorType`), or null. */
  errorCode: string | null;
  /** The access key id a valid signature was made with, or null. */
  accessKeyId: string | null;
  body: unknown;
};
