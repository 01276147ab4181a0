import { Field } from "../components/Field";
import { useI18n } from "../i18n";

interface OneTimeCodeFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  autoFocus?: boolean;
  /** The code came by SMS, not from the authenticator app. */
  sms?: boolean;
}

/** The six digits from the authenticator app (or the SMS, for a login whose factor is SMS), asked the same way at sign-in and when setting the app up. */
export function OneTimeCodeField({ id, value, onChange, error, autoFocus, sms = false }: OneTimeCodeFieldProps) {
  const { t } = useI18n();
  return (
    <Field
      id={id}
      label={t(sms ? "sms.otp" : "signin.otp")}
      hint={t(sms ? "sms.otpHint" : "signin.otpHint")}
      value={value}
      onChange={onChange}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      required
      autoFocus={autoFocus}
      error={error}
    />
  );
}
