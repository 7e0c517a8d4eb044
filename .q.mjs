import neo4j from 'neo4j-driver';
const d = neo4j.driver('bolt://127.0.0.1:7689', neo4j.auth.basic('neo4j','acctnet-bench-pw'), {disableLosslessIntegers:true});
const s = d.session();
for (const q of process.argv.slice(2)) { const t=Date.now(); const r = await s.run(q); console.log(Date.now()-t, 'ms', JSON.stringify(r.records.slice(0,10).map(x=>x.toObject())).slice(0,800)); if (r.summary.profile) { const p=(o,ind='')=>{console.log(ind+o.operatorType, o.dbHits, o.rows, JSON.stringify(o.arguments?.Details??'')); o.children.forEach(c=>p(c,ind+'  '));}; p(r.summary.profile);} }
await s.close(); await d.close();
