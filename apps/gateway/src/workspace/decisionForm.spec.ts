import { validateData } from '@mash/contracts';
import { decisionFromForm, formErrors, overrideFromForm } from './decisionForm';

const SERVER = {
  decisionId: 'DC-1',
  caseId: 'CS-1',
  decidedAt: '2026-11-30T10:00:00.000Z',
  decisionMaker: { name: 'Amina Shah', role: 'decision-maker', subject: 'dm-amina.shah' },
};

describe('the decision form as the API JSON', () => {
  it('makes a decision the contract accepts, with dissent and an urgent override', () => {
    const form = new URLSearchParams(
      'outcomes=early-help&outcomes=social-care-assessment&finalRating=AMBER&ratingChangeReason=Police+incident+is+old&teamName=Early+Help+North&teamInHours=01234+567890&teamOutOfHours=&nextSteps=&dissentAgency=health&dissentName=Dr+Jones&dissentView=Wants+a+strategy+discussion&urgent=yes&urgentReason=Child+at+risk+tonight',
    );
    const d = decisionFromForm(form);
    expect(d).toEqual({
      outcomes: ['early-help', 'social-care-assessment'],
      finalRating: 'AMBER',
      ratingChangeReason: 'Police incident is old',
      responsibleTeam: { name: 'Early Help North', inHours: '01234 567890' },
      dissent: [{ agency: 'health', name: 'Dr Jones', view: 'Wants a strategy discussion' }],
      urgentOverride: { reason: 'Child at risk tonight' },
    });
    expect(validateData('decisionRecorded', { ...d, ...SERVER }).ok).toBe(true);
  });

  it('leaves out what was left empty, but keeps what the contract requires so the refusal names the field', () => {
    const d = decisionFromForm(new URLSearchParams('finalRating=RED&teamName=&teamInHours='));
    expect(d).toEqual({ outcomes: [], finalRating: 'RED', responsibleTeam: { name: '', inHours: '' } });
    const checked = validateData('decisionRecorded', { ...d, ...SERVER });
    expect(checked.ok).toBe(false);
    const errors = checked.ok ? [] : checked.errors.map((e) => ({ ...e, path: e.path.replace(/^\/data/, '') }));
    const fields = formErrors('the decision breaks the decision rules', errors).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['outcomes', 'teamName', 'teamInHours']));
  });

  it('places a refusal without field errors beside the field it is about', () => {
    expect(formErrors('finalRating GREEN differs from the rating RED: ratingChangeReason is required', [])).toEqual([
      { field: 'ratingChangeReason', message: 'finalRating GREEN differs from the rating RED: ratingChangeReason is required' },
    ]);
    expect(formErrors('case CS-1 already has decision DC-2', undefined)).toEqual([
      { field: undefined, message: 'case CS-1 already has decision DC-2' },
    ]);
  });

  it('reads the consent override form', () => {
    expect(overrideFromForm(new URLSearchParams('basis=section-47&reason=++Strategy+discussion+held++'))).toEqual({
      basis: 'section-47',
      reason: 'Strategy discussion held',
    });
  });
});
