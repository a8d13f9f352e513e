package contentrule

import "testing"

func TestContentRule(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"uk fiction", FictionalPhone("+447700900123"), true},
		{"us fiction", FictionalPhone("+12025550143"), true},
		{"fr fiction", FictionalPhone("+33639981234"), true},
		{"real-looking uk", FictionalPhone("+447911123456"), false},
		{"placeholder", Placeholder("demo_shop01"), true},
		{"a real-looking name", Placeholder("jane_doe"), false},
		{"a placeholder in leetspeak", Placeholder("3x3mpl0_trd"), true},
		{"leetspeak of no placeholder", Placeholder("j4n3_d03"), false},
		{"session is an id", IDLike("session", "05ab"), true},
		{"phone is an id", IDLike("signal", "+12025550143"), true},
		{"a name is not", IDLike("wickr", "placeholder_01"), false},
		{"bad tox", ValidTox("00"), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
