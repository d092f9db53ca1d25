//! A JSON value read into a request type strictly: an object type (a struct) is read only from a
//! JSON object. serde's derived structs also accept an array of their fields in order, so `[]`
//! would pass for a body whose fields all have defaults, and `["x", "legal_person"]` for a
//! counterpart; a client sending an array where the API documents an object has made a mistake
//! the API should name, not guess at.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, Error as _, IntoDeserializer, Visitor};
use serde_json::{Error, Map, Value};

/// A `Value` whose structs, at any depth, must be JSON objects.
pub struct Strict(pub Value);

type Items = std::iter::Map<std::vec::IntoIter<Value>, fn(Value) -> Strict>;

fn seq(items: Vec<Value>) -> SeqDeserializer<Items, Error> {
    SeqDeserializer::new(items.into_iter().map(Strict as fn(Value) -> Strict))
}

type Entries = std::iter::Map<serde_json::map::IntoIter, fn((String, Value)) -> (String, Strict)>;

fn map(entries: Map<String, Value>) -> MapDeserializer<'static, Entries, Error> {
    fn strict((k, v): (String, Value)) -> (String, Strict) {
        (k, Strict(v))
    }
    MapDeserializer::new(
        entries
            .into_iter()
            .map(strict as fn((String, Value)) -> (String, Strict)),
    )
}

impl<'de> IntoDeserializer<'de, Error> for Strict {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Hands a method on to `Value`'s own (scalars, strings, enums: nothing nested to check).
macro_rules! to_value {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Error> {
            self.0.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for Strict {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(seq(items)),
            Value::Object(entries) => visitor.visit_map(map(entries)),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(entries) => visitor.visit_map(map(entries)),
            other => Err(Error::invalid_type(unexpected(&other), &name_object(name).as_str())),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(entries) => visitor.visit_map(map(entries)),
            other => other.deserialize_map(visitor),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(seq(items)),
            other => other.deserialize_seq(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Strict(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    to_value! {
        deserialize_bool(); deserialize_i8(); deserialize_i16(); deserialize_i32(); deserialize_i64();
        deserialize_i128(); deserialize_u8(); deserialize_u16(); deserialize_u32(); deserialize_u64();
        deserialize_u128(); deserialize_f32(); deserialize_f64(); deserialize_char(); deserialize_str();
        deserialize_string(); deserialize_bytes(); deserialize_byte_buf(); deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier(); deserialize_ignored_any();
    }
}

fn name_object(name: &str) -> String {
    format!("a JSON object ({name})")
}

fn unexpected(v: &Value) -> de::Unexpected<'_> {
    match v {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("a number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Party {
        name: String,
        #[serde(default)]
        kind: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Body {
        #[serde(default)]
        parties: Vec<Party>,
        lead: Option<Party>,
        #[serde(default)]
        note: String,
    }

    fn read<T: for<'de> Deserialize<'de>>(v: Value) -> Result<T, Error> {
        T::deserialize(Strict(v))
    }

    #[test]
    fn structs_are_read_only_from_objects_at_any_depth() {
        let ok: Body =
            read(serde_json::json!({"parties": [{"name": "a"}], "lead": {"name": "b", "kind": "x"}})).unwrap();
        assert_eq!(ok.parties[0].name, "a");
        assert_eq!(ok.lead.unwrap().kind.as_deref(), Some("x"));
        assert!(read::<Body>(serde_json::json!([])).is_err());
        assert!(read::<Body>(serde_json::json!({"lead": ["b"]})).is_err());
        assert!(read::<Body>(serde_json::json!({"parties": [["a"]]})).is_err());
        let rows: Vec<Party> = read(serde_json::json!([{"name": "c"}])).unwrap();
        assert_eq!(rows.len(), 1);
    }
}
