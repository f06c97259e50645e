# The SNS stage: SNS inputs (attribute maps, message bodies) read in C into the events the
# EventBridge road matches (docs/hot-path.md, "Decoded events"). Included by _match_c.pyx
# last; it needs no other stage, and no stage needs it.
#
# Reads: a Publish call's MessageAttributes map, or a message body. Gives: the event
# `patterns.sns` gives for it (a dict, or None), or hands the input to that reference.
#
# `attributes_to_event` gives exactly `patterns.sns.attributes_to_event`'s answer (the event, or
# None) for a well-formed Publish map of exact dicts and strs, the types SNS sends: String,
# Number and String.Array values, Binary ones left out. Anything else (a subclass, a custom type
# label such as "Number.float", an error of any kind) is handed, whole, to the reference, which
# then reads it or raises its own `InvalidEventError`: one source of truth for the rules and
# their words. `body_to_event` gives `patterns.sns.body_to_event`'s event for a body given as
# text or bytes, decoded as the reference decodes it, its numbers rounded in place; any other
# body goes to the reference.

cdef object _sns_reference = _sns.attributes_to_event
cdef object _sns_round_numbers = _sns._round_numbers
cdef Py_ssize_t _SNS_INT_DIGITS = _sns._INT_DIGITS_THAT_MAY_FIT
cdef object _SNS_DECIMALS = _sns.NUMBER_DECIMALS
cdef object _SNS_UNREADABLE = _sns._UNREADABLE


cdef inline bint _sns_number_text(const unsigned char* s, Py_ssize_t n, bint* integral) noexcept nogil:
    # Whether s[:n] matches `patterns.sns._NUMBER`, [+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?,
    # and (integral) whether it has neither point nor exponent.
    cdef Py_ssize_t i = 0, int_digits = 0, frac_digits = 0, exp_digits = 0
    cdef bint point = False
    if i < n and (s[i] == 43 or s[i] == 45):
        i += 1
    while i < n and 48 <= s[i] <= 57:
        i += 1
        int_digits += 1
    if i < n and s[i] == 46:
        point = True
        i += 1
        while i < n and 48 <= s[i] <= 57:
            i += 1
            frac_digits += 1
    if int_digits == 0 and frac_digits == 0:
        return False
    integral[0] = not point
    if i < n and (s[i] == 101 or s[i] == 69):
        integral[0] = False
        i += 1
        if i < n and (s[i] == 43 or s[i] == 45):
            i += 1
        while i < n and 48 <= s[i] <= 57:
            i += 1
            exp_digits += 1
        if exp_digits == 0:
            return False
    return i == n


cdef object _sns_number(str text):
    # `patterns.sns._number` of an ASCII text, or None where the reference must decide (a text
    # that is not a number, one past a double's range).
    cdef Py_ssize_t n
    cdef bint integral = False
    cdef const char* s
    cdef double d
    if not PyUnicode_IS_ASCII(text):
        return None
    s = PyUnicode_AsUTF8AndSize(text, &n)
    if not _sns_number_text(<const unsigned char*>s, n, &integral):
        return None
    if integral and n <= _SNS_INT_DIGITS:
        return int(text)
    d = float(text)
    if isinf(d):
        return None
    return round(d, _SNS_DECIMALS)  # `quantize` of a finite float


cdef object _sns_string_array(str text):
    # `patterns.sns._string_array`: the value read as JSON, its numbers rounded;
    # `_SNS_UNREADABLE` for text that is not JSON.
    cdef Py_ssize_t k
    try:
        value = _orjson_loads(text)
    except _JSONDecodeError:
        return _SNS_UNREADABLE
    if type(value) is list:
        for k in range(PyList_GET_SIZE(value)):
            if type(<object>PyList_GET_ITEM(value, k)) is not str:
                return _sns_round_numbers(value)
        return value  # strings only: nothing to round
    return _sns_round_numbers(value)


def attributes_to_event(attributes):
    """`patterns.sns.attributes_to_event` (see it): the same event, or None, and the same errors.

    Maps of exact dicts and strs with the types SNS sends (String, Number, String.Array,
    Binary) are read here; anything else goes, whole, to the reference.
    """
    cdef dict event = {}
    cdef object name, entry, data_type, text, value
    if type(attributes) is not dict:
        return _sns_reference(attributes)
    for name, entry in (<dict>attributes).items():
        if type(name) is not str or type(entry) is not dict:
            return _sns_reference(attributes)
        data_type = (<dict>entry).get("DataType")
        if type(data_type) is not str:
            return _sns_reference(attributes)
        if data_type == "Binary":
            continue
        text = (<dict>entry).get("StringValue")
        if type(text) is not str or PyUnicode_GET_LENGTH(text) == 0:
            return _sns_reference(attributes)
        if data_type == "String":
            event[name] = text
        elif data_type == "Number":
            value = _sns_number(text)
            if value is None:
                return _sns_reference(attributes)
            event[name] = value
        elif data_type == "String.Array":
            value = _sns_string_array(text)
            if value is not _SNS_UNREADABLE:  # text that is not JSON: left out
                event[name] = value
        else:  # a custom label ("String.x"), or a type SNS refuses
            return _sns_reference(attributes)
    return event or None


cdef object _sns_body_reference = _sns.body_to_event
cdef tuple _BODY_TEXT_TYPES = (str, bytes, bytearray, memoryview)


cdef int _round_in_place(object root) except -1:
    # `patterns.sns._round_numbers` done in place on a tree `decode_event` has just made (dicts,
    # lists and scalars that no one else holds): every float rounded to SNS's decimal places.
    # A stack of containers, no recursion (the tree may be 1,024 levels deep).
    cdef list stack = [root]
    cdef object node, item
    cdef PyObject* key
    cdef PyObject* value
    cdef Py_ssize_t pos, k
    while stack:
        node = stack.pop()
        if type(node) is dict:
            pos = 0
            while PyDict_Next(node, &pos, &key, &value):
                if type(<object>value) is float:  # a value replaced, no key added: safe in PyDict_Next
                    (<dict>node)[<object>key] = round(<object>value, _SNS_DECIMALS)
                elif type(<object>value) is dict or type(<object>value) is list:
                    stack.append(<object>value)
        else:  # a list
            for k in range(PyList_GET_SIZE(node)):
                item = <object>PyList_GET_ITEM(node, k)
                if type(item) is float:
                    node[k] = round(item, _SNS_DECIMALS)
                elif type(item) is dict or type(item) is list:
                    stack.append(item)
    return 0


def body_to_event(body):
    """`patterns.sns.body_to_event` (see it): the same event, or None, and the same errors.

    A body given as text or bytes is decoded as the reference decodes it and its numbers
    rounded in place, without the reference's copy of the tree; any other body goes to the
    reference.
    """
    if type(body) not in _BODY_TEXT_TYPES:
        return _sns_body_reference(body)
    try:
        event = decode_event(body)
    except InvalidEventError:
        return None  # not a JSON object: SNS filters nothing
    _round_in_place(event)
    return event
