package callback

import (
	"errors"
	"fmt"
)

// ErrInvalidNumber is a callback number that is not a phone number.
var ErrInvalidNumber = errors.New("callback number is not a phone number")

// CheckNumber accepts digits with an optional leading "+", 3 to 15 digits
// (an internal extension up to a full E.164 number, ITU-T E.164 section 6).
// The error never repeats the number: it ends up in queue events.
func CheckNumber(number string) error {
	digits := number
	if len(digits) > 0 && digits[0] == '+' {
		digits = digits[1:]
	}
	if len(digits) < 3 || len(digits) > 15 {
		return fmt.Errorf("%w: want 3 to 15 digits with an optional leading +, got %d characters", ErrInvalidNumber, len(number))
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return fmt.Errorf("%w: only digits and a leading + are allowed", ErrInvalidNumber)
		}
	}
	return nil
}
