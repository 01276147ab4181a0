import { useI18n } from "../i18n";
import { navigate, PATHS } from "../router";

export function BackToSignIn() {
  const { t } = useI18n();
  return (
    <p className="mt-6">
      <a
        href={PATHS.signIn}
        className="function-link"
        onClick={(e) => {
          e.preventDefault();
          navigate(PATHS.signIn);
        }}
      >
        {t("signin.title")}
      </a>
    </p>
  );
}
