#!/usr/bin/env python3
"""Renders a chat template with jinja2 the way Hugging Face's apply_chat_template does.

Usage: jinja_reference.py TEMPLATE_FILE CONTEXT_JSON_FILE

The context file is a JSON object of template variables (messages, add_generation_prompt,
bos_token, ...): the rendered text goes to standard output as UTF-8, and the exit status is
0 rendered, 3 the template called raise_exception (its message on standard error), 4 another
error. A JSON list of such objects renders each, and standard output is a JSON list of
{"status": "ok" | "raised" | "error", "text": ...} in the same order. Exit status 77: jinja2
is not installed. Used by tests/serve/jinja_differential_test.cpp.
"""
import json
import sys
from datetime import datetime


def main():
    try:
        import jinja2
        from jinja2.sandbox import ImmutableSandboxedEnvironment
    except ImportError:
        sys.stderr.write("jinja2 is not installed for " + sys.executable + "\n")
        return 77

    class RaisedByTemplate(Exception):
        pass

    def raise_exception(message):
        raise RaisedByTemplate(message)

    def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent,
                          separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.now().strftime(format)

    environment = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    environment.filters["tojson"] = tojson
    environment.globals["raise_exception"] = raise_exception
    environment.globals["strftime_now"] = strftime_now

    with open(sys.argv[1], encoding="utf-8") as file:
        source = file.read()
    with open(sys.argv[2], encoding="utf-8") as file:
        context = json.load(file)
    template = environment.from_string(source)

    def render(variables):
        try:
            return "ok", template.render(**variables)
        except RaisedByTemplate as error:
            return "raised", str(error)
        except Exception as error:  # noqa: BLE001 - any other failure is reported alike
            return "error", type(error).__name__ + ": " + str(error)

    if isinstance(context, list):
        results = [dict(zip(("status", "text"), render(variables))) for variables in context]
        sys.stdout.write(json.dumps(results))
        return 0
    status, text = render(context)
    if status != "ok":
        sys.stderr.write(text)
        return 3 if status == "raised" else 4
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
