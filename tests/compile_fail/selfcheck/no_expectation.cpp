// Self-check: a case without an expected-text line is a harness error, never a pass.
int main() { return undeclared_name; }
