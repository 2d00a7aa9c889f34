package io.flywall.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.state.Change;
import io.flywall.state.Hlc;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Change lists are written and read straight on byte arrays: the bytes must be exactly those the
 * data streams wrote before (nodes of the previous version read and write them), whatever the
 * strings hold (ASCII, NUL, any UTF-16 unit, lone surrogates), and read back to the same changes.
 */
class ChangeWireTest {

  /** The change list as DataOutputStream wrote it (the previous encoder, field by field). */
  private static byte[] asDataStreamsWrite(List<Change> changes) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(changes.size());
    for (Change c : changes) {
      out.writeLong(c.seq());
      out.writeLong(c.epoch());
      out.writeUTF(c.bucket());
      out.writeUTF(c.key());
      out.writeInt(c.value() == null ? -1 : c.value().length);
      if (c.value() != null) {
        out.write(c.value());
      }
      out.writeLong(c.version());
      out.writeLong(c.hlc().value());
      out.writeUTF(c.origin());
      out.writeLong(c.expiresAtMillis());
    }
    return bytes.toByteArray();
  }

  @Provide
  Arbitrary<List<Change>> changeLists() {
    Arbitrary<String> text =
        Arbitraries.oneOf(
            Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(40),
            Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40),
            Arbitraries.of("dhcp_leases", "fw-a", "\u0000", "é", "\uD800", "\uDBFF\uDFFF", "€x"));
    Arbitrary<Change> change =
        net.jqwik.api.Combinators.combine(
                text,
                text,
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64).injectNull(0.2),
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                text)
            .as(
                (bucket, key, value, n, origin) ->
                    new Change(
                        n % 1_000_000, n % 7, bucket, key, value, n % 99, new Hlc(n), origin, n));
    return change.list().ofMaxSize(30);
  }

  @Property(tries = 300)
  void aChangeListIsWrittenAsTheDataStreamsWroteItAndReadBackTheSame(
      @ForAll("changeLists") List<Change> changes) throws Exception {
    byte[] expected = asDataStreamsWrite(changes);
    ChangeWire.Output out = new ChangeWire.Output(8);
    ChangeWire.write(out, changes);
    assertThat(out.toByteArray()).isEqualTo(expected);

    ChangeWire.Input in = new ChangeWire.Input(expected);
    List<Change> read = ChangeWire.read(in);
    assertThat(in.available()).isZero();
    assertThat(read).hasSize(changes.size());
    for (int i = 0; i < read.size(); i++) {
      Change a = read.get(i);
      Change b = changes.get(i);
      assertThat(List.of(a.seq(), a.epoch(), a.version(), a.hlc(), a.expiresAtMillis()))
          .isEqualTo(List.of(b.seq(), b.epoch(), b.version(), b.hlc(), b.expiresAtMillis()));
      assertThat(List.of(a.bucket(), a.key(), a.origin()))
          .isEqualTo(List.of(b.bucket(), b.key(), b.origin()));
      assertThat(a.value()).isEqualTo(b.value());
    }
  }

  @Property(tries = 300)
  void aStringIsReadAsReadUtfReadsItOrRefusedAsItRefusesIt(@ForAll byte[] utf) throws Exception {
    byte[] framed = new byte[utf.length + 2];
    framed[0] = (byte) (utf.length >>> 8);
    framed[1] = (byte) utf.length;
    System.arraycopy(utf, 0, framed, 2, utf.length);
    String expected;
    try {
      expected = new DataInputStream(new ByteArrayInputStream(framed)).readUTF();
    } catch (IOException refused) {
      expected = null;
    }
    String read;
    try {
      read = new ChangeWire.Input(framed).getUtf("");
    } catch (IOException refused) {
      read = null;
    }
    assertThat(read).isEqualTo(expected);
  }

  @Property(tries = 100)
  void rowsSharingABucketAndOriginShareTheirStrings(@ForAll("changeLists") List<Change> changes)
      throws Exception {
    List<Change> same = new ArrayList<>();
    for (Change c : changes) {
      same.add(
          new Change(
              c.seq(), c.epoch(), "leases", c.key(), c.value(), c.version(), c.hlc(), "fw-a", 0));
    }
    List<Change> read = ChangeWire.read(new ChangeWire.Input(asDataStreamsWrite(same)));
    for (Change c : read) {
      assertThat(c.bucket()).isSameAs(read.get(0).bucket());
      assertThat(c.origin()).isSameAs(read.get(0).origin());
    }
  }
}
