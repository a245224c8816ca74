-- A holder's valid certificate of one type, found without reading every certificate the holder
-- has (the e-certificate materials of an application ask for exactly that).
CREATE INDEX certificates_holder_type ON certificates(holder_id, type_code, status);
