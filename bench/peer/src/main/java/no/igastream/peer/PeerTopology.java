package no.igastream.peer;

import no.igastream.peer.Messages.Account;
import no.igastream.peer.Messages.NotifyRecord;
import no.igastream.peer.Messages.PersonEvent;
import no.igastream.peer.Messages.UsernameClaim;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor topology, three sub-topologies joined by topics of the same partition count:
 * raw mirror → A positions (store positions, deferred) → person events (key employee id) →
 * B persons (store persons) → username claims (key stem) → C registry (store usernames) →
 * grants (key employee id) → B. B writes accounts and notify records. Every store is a RocksDB
 * store with a changelog, under exactly-once v2; the busy ones have Kafka Streams' record cache in
 * front (as the DSL's stores have by default), which folds repeated writes of a key between commits.
 */
final class PeerTopology {
  private PeerTopology() {}

  static Topology build(PeerConfig config, DfoClient dfo) {
    Serde<String> strings = Serdes.String();
    Serde<PersonEvent> personEvents = Json.serde(PersonEvent.class);
    Serde<UsernameClaim> claims = Json.serde(UsernameClaim.class);
    Topology t = new Topology();

    t.addSource("raw-source", strings.deserializer(), Serdes.ByteArray().deserializer(), config.rawTopic());
    t.addProcessor("positions", () -> new PositionProcessor(dfo), "raw-source");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PositionProcessor.POSITIONS), strings,
        Json.serde(PositionProcessor.PositionHolders.class)).withCachingEnabled(), "positions");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PositionProcessor.DEFERRED), strings, Serdes.ByteArray()), "positions");
    t.addSink("person-events-sink", config.personEventsTopic(), strings.serializer(), personEvents.serializer(), "positions");

    t.addSource("person-source", strings.deserializer(), personEvents.deserializer(), config.personEventsTopic(), config.grantsTopic());
    t.addProcessor("persons", () -> new PersonProcessor(dfo, config), "person-source");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PersonProcessor.PERSONS), strings,
        Json.serde(PersonProcessor.PersonState.class)).withCachingEnabled(), "persons");
    t.addSink(PersonProcessor.TO_CLAIMS, config.claimsTopic(), strings.serializer(), claims.serializer(), "persons");
    t.addSink(PersonProcessor.TO_ACCOUNTS, config.accountsTopic(), strings.serializer(), Json.serde(Account.class).serializer(), "persons");
    t.addSink(PersonProcessor.TO_NOTIFY, config.notifyTopic(), strings.serializer(), Json.serde(NotifyRecord.class).serializer(), "persons");

    t.addSource("claims-source", strings.deserializer(), claims.deserializer(), config.claimsTopic());
    t.addProcessor("registry", () -> new RegistryProcessor(config.emailDomain()), "claims-source");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RegistryProcessor.USERNAMES), strings, strings).withCachingEnabled(), "registry");
    t.addSink(RegistryProcessor.TO_GRANTS, config.grantsTopic(), strings.serializer(), personEvents.serializer(), "registry");
    t.addSink(RegistryProcessor.TO_CLAIMS, config.claimsTopic(), strings.serializer(), claims.serializer(), "registry");
    return t;
  }
}
