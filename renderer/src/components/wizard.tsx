/**
 * The parts every short wizard is made of: its card (title, steps, brought into view), a step's
 * form, the foot of a step (Back or Cancel on the left, the step's button on the right), the
 * review step's button that runs the wizard's one call (with a line saying what is happening),
 * and the last step that says what was done. The store's operations answer a result, or
 * undefined / false when they failed (the store has already said why), so every wizard ends its
 * review the same way.
 */
import { useEffect, useRef, useState } from 'react';
import type { ReactNode, RefObject } from 'react';
import { Steps, Working } from './common.js';
import { useRevealed } from './token-picker.js';

const FIELD = 'input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled])';

/**
 * Moves focus into a wizard's new step when its step changes (not when the wizard first shows):
 * the button that was pressed (Next, Review…, Back) is gone with its step, and focus would fall
 * back to the page. It goes to the step's first field, or, on a step without one (a review), to
 * the wizard's title, so a screen reader starts from the top of the step.
 */
export function useStepFocus(container: RefObject<HTMLElement | null>, step: number): void {
  const shown = useRef(step);
  useEffect(() => {
    if (shown.current === step) return;
    shown.current = step;
    const root = container.current;
    if (!root) return;
    const field = root.querySelector<HTMLElement>(FIELD);
    const target = field ?? root.querySelector<HTMLElement>('h2, h3, h4');
    if (target && !field && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target?.focus();
  }, [container, step]);
}

/** A short wizard's card: brought into view when it opens (it may open below a long table), its title and steps. */
export function WizardCard({
  id,
  title,
  steps,
  step,
  children,
}: {
  /** Makes the title's id (`${id}-title`), which labels the card. */
  id: string;
  title: ReactNode;
  steps: string[];
  step: number;
  children: ReactNode;
}) {
  const revealed = useRevealed<HTMLElement>();
  useStepFocus(revealed, step);
  return (
    <section ref={revealed} className="card narrow wizard" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <Steps steps={steps} current={step} />
      {children}
    </section>
  );
}

/** A wizard step's form: Enter, or its submit button, goes on to the next step once the step is `ready`. */
export function StepForm({
  ready = true,
  onNext,
  className = 'stack',
  children,
}: {
  ready?: boolean;
  onNext: () => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) onNext();
      }}
    >
      {children}
    </form>
  );
}

/** A wizard's last step: what was done, and Done (with one other action beside it where one fits). */
export function DoneStep({
  title,
  children,
  onDone,
  other,
}: {
  title: string;
  children: ReactNode;
  onDone: () => void;
  other?: { text: string; onClick: () => void };
}) {
  return (
    <>
      <div className="notice notice-success" role="status">
        <strong>{title}</strong> <span>{children}</span>
      </div>
      <div className="row wizard-nav">
        {other ? (
          <button type="button" className="secondary" onClick={other.onClick}>
            {other.text}
          </button>
        ) : (
          <span />
        )}
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </>
  );
}

export function WizardNav({
  onBack,
  backText = 'Back',
  children,
}: {
  onBack: () => void;
  backText?: string;
  children: ReactNode;
}) {
  return (
    <div className="row wizard-nav">
      <button type="button" className="secondary" onClick={onBack}>
        {backText}
      </button>
      {children}
    </div>
  );
}

/** The foot of a wizard's first step: Cancel (or Back), and Review…, the submit of the step's form. */
export function ToReview({
  onCancel,
  cancelText = 'Cancel',
  disabled = false,
  title,
}: {
  onCancel: () => void;
  cancelText?: string;
  disabled?: boolean;
  /** Why Review… is disabled, when it is. */
  title?: string | undefined;
}) {
  return (
    <WizardNav onBack={onCancel} backText={cancelText}>
      <button type="submit" disabled={disabled} title={title}>
        Review…
      </button>
    </WizardNav>
  );
}

export function RunStep<T>({
  label,
  busyLabel,
  workingText,
  disabled = false,
  onBack,
  run,
  onDone,
  onFailed = onBack,
}: {
  /** The button's text, and while the call runs. */
  label: string;
  busyLabel: string;
  /** What is happening, shown under the review while the call runs. */
  workingText: string;
  disabled?: boolean;
  onBack: () => void;
  /** The wizard's call: its result, or undefined / false when it failed. */
  run: () => Promise<T | undefined | false>;
  onDone: (result: T) => void;
  /** After a failure (default: back to the previous step). */
  onFailed?: () => void;
}) {
  const [working, setWorking] = useState(false);
  const finish = (result: T | undefined | false) => {
    setWorking(false);
    if (result === undefined || result === false) onFailed();
    else onDone(result);
  };
  return (
    <>
      {working && <Working text={workingText} />}
      <WizardNav onBack={onBack}>
        <button
          type="button"
          disabled={working || disabled}
          onClick={() => {
            setWorking(true);
            void run().then(finish, () => finish(undefined));
          }}
        >
          {working ? busyLabel : label}
        </button>
      </WizardNav>
    </>
  );
}
