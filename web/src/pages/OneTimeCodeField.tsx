import { Field } from "../components/Field";
import { useI18n } from "../i18n";

interface OneTimeCodeFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  autoFocus?: boolean;
}

/** The six digits from the authenticator app, asked the same way at sign-in and when setting the app up. */
export function OneTimeCodeField({ id, value, onChange, error, autoFocus }: OneTimeCodeFieldProps) {
  const { t } = useI18n();
  return (
    <Field
      id={id}
      label={t("signin.otp")}
      hint={t("signin.otpHint")}
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
