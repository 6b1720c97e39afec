package providertest

// Texts are the contents of JSON strings, as a line spells them, that an
// answer's text may have: ones written as they are and ones a writer
// escaping as encoding/json does writes anew (\u escapes, \/, U+2028 and
// U+2029, invalid UTF-8), short and past the sixteen bytes a scanner
// tests at a time.
var Texts = []string{
	``, `Paris.`, `Line one\n\"quoted\" C:\\path\t\b\f\r`, `caf\u00e9`, `caf` + "\xc3\xa9", `a\/b`, `\u0001\u001f`,
	`\ud83d\ude00`, `\ud83d alone`, `line\u2028sep`, "line\xe2\x80\xa8sep para\xe2\x80\xa9sep", "bad \xff utf8 \xe4\xb8",
	`<b>&amp;</b>`, "printer\xe2\x80\x99s \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80",
	`The printing press spread through Europe after 1450 \"quoted\"\n\nC:\\path caf` + "\xc3\xa9 and more words",
	`The printing press spread through Europe after 1450 \u2014 M\u00fcnchen and more words of prose`,
	"The printing press spread through Europe after 1450 \xe2\x80\xa9 and more words of prose here",
}
