import { useEffect, useMemo, useState, type ReactNode } from "react";

import { type Api } from "./api/client";
import { type Session, type SignInStep } from "./auth";
import { Modal } from "./components/Modal";
import { Notice } from "./components/Notice";
import { OnDemand, onDemand, WithDesignSystem } from "./components/OnDemand";
import { AppContext, useServices, useSignedIn, type AppServices } from "./context";
import { LanguageContext, loadLanguage, translator, useI18n, type Language } from "./i18n";
import { SignIn } from "./pages/SignIn";
import { designSystem } from "./design-system";
import { navigate, PATHS, usePath } from "./router";

// The first screen is the sign-in, then Min konto: every other page comes when first shown.
const AcceptInvitation = onDemand(() => import("./pages/AcceptInvitation").then((m) => m.AcceptInvitation));
const Activate = onDemand(() => import("./pages/Activate").then((m) => m.Activate));
const Apply = onDemand(() => import("./pages/Apply").then((m) => m.Apply));
const ChangePassword = onDemand(() => import("./pages/ChangePassword").then((m) => m.ChangePassword));
const Enrol = onDemand(() => import("./pages/Enrol").then((m) => m.Enrol));
const Account = onDemand(() => import("./pages/Account").then((m) => m.Account));
// Every screen but the sign-in: with the whole stylesheet, and TanStack Query's cache (pages/Account.tsx).
const SignedInArea = onDemand(() =>
  Promise.all([import("./pages/Account"), designSystem()]).then(([m]) => m.Queries),
);

type MfaSetup = Extract<SignInStep, { kind: "mfa-setup" }>;

/**
 * Log ud: the API ends every session of the login (refresh tokens revoked, every access token refused),
 * then this page forgets its tokens. If the API cannot be asked, the page still forgets them and revokes
 * its own refresh token.
 */
async function signOutEverywhere(api: Api, session: Session): Promise<void> {
  try {
    const answer = await api.POST("/v1/me/sign-out");
    if (answer.data) {
      session.sessionsEnded(answer.data.sign_in_after_ms);
      return;
    }
  } catch {
    // Not reachable: at least this page's session ends.
  }
  await session.signOut();
}

function Header() {
  const { api, session } = useServices();
  const { signedIn } = useSignedIn();
  const { t, language, setLanguage } = useI18n();
  return (
    <header className="header">
      <div className="portal-header">
        <div className="container portal-header-inner">
          <a href={PATHS.signIn} className="logo" onClick={(e) => { e.preventDefault(); navigate(PATHS.signIn); }}>
            {t("app.name")}
          </a>
          <div className="portal-user">
            <button
              type="button"
              className="button button-tertiary"
              lang={language === "da" ? "en" : "da"}
              aria-label={t("lang.switchLabel")}
              onClick={() => setLanguage(language === "da" ? "en" : "da")}
            >
              {t("lang.switch")}
            </button>
            {signedIn ? (
              <>
                <span className="user">
                  {t("signedInAs")} {session.username}
                </span>{" "}
                <a
                  href={PATHS.password}
                  className="button button-tertiary"
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(PATHS.password);
                  }}
                >
                  {t("password.link")}
                </a>{" "}
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => {
                    void signOutEverywhere(api, session).then(() => navigate(PATHS.signIn));
                  }}
                >
                  {t("signout")}
                </button>
              </>
            ) : null}
          </div>
        </div>
      </div>
    </header>
  );
}

function Routes() {
  const { session } = useServices();
  const { signedIn, expired } = useSignedIn();
  const { t } = useI18n();
  const path = usePath();
  const [notice, setNotice] = useState<string | null>(null);
  const [mfaSetup, setMfaSetup] = useState<MfaSetup | null>(null);

  useEffect(() => {
    if (signedIn && !path.startsWith(PATHS.account)) navigate(PATHS.account, true);
  }, [signedIn, path]);

  // A new page: a screen reader starts reading from its content, as after a full page load.
  const page0 = path.split("/")[1] ?? "";
  useEffect(() => {
    const main = document.getElementById("main-content");
    if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }, [page0]);

  const remember = (username: string, text: string) => {
    session.username = username;
    setNotice(text);
  };

  let page: ReactNode;
  if (path === PATHS.apply) page = <Apply />;
  else if (path === PATHS.activate) page = <Activate onActivated={remember} />;
  else if (path === PATHS.invitation) page = <AcceptInvitation onAccepted={remember} />;
  else if (mfaSetup && !signedIn)
    page = <Enrol cognitoStep={mfaSetup} onDone={() => setMfaSetup(null)} />;
  else if ((signedIn || expired) && path === PATHS.password)
    page = (
      <ChangePassword
        onChanged={(signInAfterMs) => {
          session.sessionsEnded(signInAfterMs);
          setNotice(t("password.changed"));
          navigate(PATHS.signIn);
        }}
      />
    );
  else if (signedIn || (expired && path.startsWith(PATHS.account)))
    page = (
      <Account
        tab={path.split("/")[2]}
        onEnrolled={(signInAfterMs) => {
          session.sessionsEnded(signInAfterMs);
          setNotice(t("signin.again"));
          navigate(PATHS.signIn);
        }}
      />
    );
  // The sign-in is the one screen the first visit's stylesheet and script cover: every other waits for the rest.
  if (page) page = <SignedInArea>{page}</SignedInArea>;
  else page = <SignIn notice={notice} onMfaSetup={setMfaSetup} />;

  return (
    <>
      <main id="main-content" className="container" tabIndex={-1}>
        <OnDemand>{page}</OnDemand>
      </main>
      {expired && !signedIn && path.startsWith(PATHS.account) ? (
        <OnDemand>
          <WithDesignSystem>
            <Modal title={t("signin.title")} onClose={() => undefined} actions={null}>
              <Notice kind="warning">
                <p className="alert-text">{t("signin.expired")}</p>
              </Notice>
              <SignIn onMfaSetup={setMfaSetup} headingLevel={2} showLinks={false} />
            </Modal>
          </WithDesignSystem>
        </OnDemand>
      ) : null}
    </>
  );
}

export function App({ services }: { services: AppServices }) {
  // Danish by default, whatever the browser says: the switch is one click away.
  const [language, setLanguage] = useState<Language>("da");
  const i18n = useMemo(() => {
    // The words first, then the switch: a page never shows keys. Should English not come (the network),
    // the page stays Danish.
    const choose = (next: Language) => void loadLanguage(next).then(() => setLanguage(next), () => undefined);
    return { language, t: translator(language), setLanguage: choose };
  }, [language]);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  return (
    <AppContext.Provider value={services}>
      <LanguageContext.Provider value={i18n}>
        <a className="skipnav" href="#main-content">
          {i18n.t("app.skip")}
        </a>
        <Header />
        <Routes />
      </LanguageContext.Provider>
    </AppContext.Provider>
  );
}
