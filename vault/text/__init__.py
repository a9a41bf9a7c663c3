"""Pure text in, text out: detectors, names, anonymizer, redaction. No I/O, no crypto."""
