import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#domain/errors.ts';
import { WEEKDAYS } from '#domain/rollout/maintenance-window-schema.ts';
import { parseWindowText, windowText } from '#domain/rollout/maintenance-window-text.ts';

describe('the command-line form of a window', () => {
  it.each([
    [
      'Mon-Fri 01:00-05:00 Europe/Berlin',
      ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'],
      '01:00',
      '05:00',
      'Europe/Berlin',
    ],
    ['sat-SUN 22:00-06:00 UTC', ['Sat', 'Sun'], '22:00', '06:00', 'UTC'],
    [
      'Fri-Mon 22:00-24:00 America/New_York',
      ['Mon', 'Fri', 'Sat', 'Sun'],
      '22:00',
      '24:00',
      'America/New_York',
    ],
    ['Monday,Wed,fri 00:00-01:30 Asia/Tokyo', ['Mon', 'Wed', 'Fri'], '00:00', '01:30', 'Asia/Tokyo'],
    ['  daily   02:00-03:00   UTC ', [...WEEKDAYS], '02:00', '03:00', 'UTC'],
  ])('reads %j', (text, days, start, end, timeZone) => {
    // Act / Assess
    expect(parseWindowText(text)).toEqual({ days, start, end, timeZone });
  });

  it.each([
    ['Mon-Fri 01:00-05:00', 'is not "DAYS HH:mm-HH:mm TIMEZONE", e.g. "Mon-Fri 01:00-05:00 Europe/Berlin"'],
    ['Mon-Fri 01:00 Europe/Berlin', 'is not "DAYS HH:mm-HH:mm TIMEZONE"'],
    ['Mon-Fri 01:00-05:00 Europe/Berlin extra', 'is not "DAYS HH:mm-HH:mm TIMEZONE"'],
    ['Mon-Fro 01:00-05:00 UTC', '"Fro" is not a day (Mon..Sun)'],
    ['Mon-Tue-Wed 01:00-05:00 UTC', 'bad day range Mon-Tue-Wed'],
    ['Mon 1:00-05:00 UTC', 'start "1:00" is not a time of day "HH:mm" (00:00 to 23:59)'],
    ['Mon 01:00-24:01 UTC', 'end "24:01" is not a time of day'],
    ['Mon 01:00-01:00 UTC', 'end must differ from start'],
    ['Mon 01:00-02:00 Europe/Berln', 'timeZone "Europe/Berln" is not an IANA time zone'],
  ])('refuses %j: %s', (text, message) => {
    // Act / Assess
    expect(() => parseWindowText(text)).toThrow(ValidationError);
    expect(() => parseWindowText(text)).toThrow(message);
  });

  it('writes a window back in the shortest form, which reads back to the same window', () => {
    fc.assert(
      fc.property(
        fc.subarray([...WEEKDAYS], { minLength: 1 }),
        fc.constantFrom('00:00', '01:30', '22:00'),
        fc.constantFrom('05:00', '24:00'),
        (days, start, end) => {
          fc.pre(!(start === '00:00' && end === '24:00'));
          const window = { days, start, end, timeZone: 'Europe/Berlin' };
          const text = windowText(window);
          expect(parseWindowText(text)).toEqual(window);
          expect(text.split(' ')[0]?.split(/[,-]/).length).toBeLessThanOrEqual(days.length);
        },
      ),
    );
    expect(windowText(parseWindowText('Mon,Tue,Wed,Thu,Fri 01:00-05:00 UTC'))).toBe(
      'Mon-Fri 01:00-05:00 UTC',
    );
  });
});
